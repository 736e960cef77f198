# The monitor's daily CSV files read as one table, preprocessed as the upstream study did:
# days concatenated in the order given (one header), rows with an empty field dropped, and
# columns put in the notebook's input layout. Monitor files never quote, so plain awk splits.
#
#   awk -v kind=tracepoints -f monitor.awk tracepoints/net/*.csv
#       -> timestamp,ipv6,flow,msg_type,size (ipv6: the peer address holds a '[')
#   awk -v kind=systemd -f monitor.awk systemd/ip_accounting/*.csv
#       -> timestamp,IPIngressBytes,IPEgressBytes (still cumulative: pipe through increase)
BEGIN {
    FS = OFS = ","
    if (kind == "tracepoints") {
        n = split("timestamp,peer_addr,flow,msg_type,size", need, ",")
        print "timestamp,ipv6,flow,msg_type,size"
    } else if (kind == "systemd") {
        n = split("timestamp,IPIngressBytes,IPEgressBytes", need, ",")
        print "timestamp,IPIngressBytes,IPEgressBytes"
    } else {
        fail("set kind=tracepoints or kind=systemd")
    }
}
function fail(msg) {
    printf "monitor.awk: %s\n", msg > "/dev/stderr"
    failed = 1
    exit 1
}
FNR == 1 {
    if (NR == 1) {
        header = $0
        first = FILENAME
        for (i = 1; i <= NF; i++) at[$i] = i
        for (j = 1; j <= n; j++)
            if (!(need[j] in at)) fail(FILENAME ": no column named '" need[j] "'; the header is: " $0)
    } else if ($0 != header) {
        fail(FILENAME ": the header differs from " first "'s")
    }
    next
}
/^,|,,|,$|^$/ { dropped++; next }
kind == "tracepoints" {
    print $at["timestamp"], (index($at["peer_addr"], "[") ? "True" : "False"), $at["flow"], $at["msg_type"], $at["size"]
    next
}
{ print $at["timestamp"], $at["IPIngressBytes"], $at["IPEgressBytes"] }
END {
    if (!failed && dropped) printf "monitor.awk: %s: dropped %d rows with an empty field\n", kind, dropped > "/dev/stderr"
}

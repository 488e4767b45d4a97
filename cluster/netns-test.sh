#!/usr/bin/env bash
# Proves the multi-node path on one machine: two "hosts", each a Linux network namespace with
# its own host name, joined by a veth pair carrying private test addresses (10.77.0.1/24 and
# 10.77.0.2/24, which exist only inside those namespaces). mpirun starts 2 ranks on each over
# OpenMPI's TCP transport; a small launch agent stands in for ssh by entering the other
# namespace. The test passes when
#   - the ranks report the two hosts (bstrain bench-dist prints where each rank runs),
#   - the interface byte counters show the training traffic crossed the veth, and
#   - the 2 x 2 training run ends with the same per-step losses and weights as 4 ranks on one host.
# It needs root (or CAP_SYS_ADMIN) and `ip` (iproute2); without them it prints SKIP and exits 0.
#
# Usage: cluster/netns-test.sh [BSTRAIN_BINARY]   (default: .build/release/bstrain)
set -euo pipefail
repository="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bstrain="$(realpath "${1:-$repository/.build/release/bstrain}")"
[[ -x "$bstrain" ]] || { echo "netns-test: no bstrain binary at $bstrain (build with swift build -c release)" >&2; exit 1; }

skip() { echo "SKIP: $* (the TCP multi-node path was not tested)"; exit 0; }
command -v ip >/dev/null || skip "no 'ip' command; install iproute2 (Scripts/setup does)"
command -v unshare >/dev/null || skip "no 'unshare' command; install util-linux"
command -v mpirun >/dev/null || { echo "netns-test: mpirun not found; run Scripts/setup" >&2; exit 1; }

# Unique names, so runs beside each other do not collide; the veth ends live only inside them.
host_a="bst-a-$$"
host_b="bst-b-$$"
interface=veth-bst
address_a=10.77.0.1
address_b=10.77.0.2
work=$(mktemp -d)

cleanup() {
    # Processes still inside the namespaces are ours (a failed run): end them by pid first.
    for namespace in "$host_a" "$host_b"; do
        ip netns pids "$namespace" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns delete "$namespace" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$host_a" 2>/dev/null || skip "cannot create network namespaces here (needs root or CAP_SYS_ADMIN)"
ip netns add "$host_b"
echo "netns-test: hosts $host_a ($address_a) and $host_b ($address_b) joined by a veth pair"
ip -n "$host_a" link add "$interface" type veth peer name "$interface" netns "$host_b"
ip -n "$host_a" addr add "$address_a/24" dev "$interface"
ip -n "$host_b" addr add "$address_b/24" dev "$interface"
for namespace in "$host_a" "$host_b"; do
    ip -n "$namespace" link set lo up
    ip -n "$namespace" link set "$interface" up
done

# The launch agent: OpenMPI calls it as `agent [ssh options] HOST COMMAND...` to start its
# daemon on HOST. It enters HOST's namespace and a fresh UTS namespace with HOST's own host
# name (OpenMPI keeps per-host session files under the host name, so two hosts need two names).
agent="$work/netns-agent"
cat > "$agent" <<AGENT
#!/usr/bin/env bash
while [[ \$1 == -* ]]; do shift; done
host=\$1; shift
case \$host in
    $address_a) namespace=$host_a ;;
    $address_b) namespace=$host_b ;;
    *) echo "netns-agent: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$namespace" unshare --uts /bin/sh -c "hostname \$namespace && \$*"
AGENT
chmod +x "$agent"
printf '%s slots=2\n%s slots=2\n' "$address_a" "$address_b" > "$work/hostfile"

root_flag=()
if [[ $(id -u) -eq 0 ]]; then root_flag=(--allow-run-as-root); fi
# mpirun itself runs on host A. TCP only (no shared memory), and only over the veth.
mpirun_two_hosts() {
    timeout 120 ip netns exec "$host_a" unshare --uts /bin/sh -c 'hostname "$0" && exec "$@"' "$host_a" \
        mpirun "${root_flag[@]}" --hostfile "$work/hostfile" -n 4 --bind-to none \
        --mca plm_rsh_agent "$agent" --mca pml ob1 --mca btl tcp,self \
        --mca btl_tcp_if_include "$interface" --mca oob_tcp_if_include "$interface" \
        -x OPENBLAS_NUM_THREADS=1 "$@"
}
# Bytes host A sent and received on the veth: every byte between the hosts, counted once.
veth_bytes() {
    local sent received
    read -r sent < <(ip netns exec "$host_a" cat "/sys/class/net/$interface/statistics/tx_bytes")
    read -r received < <(ip netns exec "$host_a" cat "/sys/class/net/$interface/statistics/rx_bytes")
    echo $((sent + received))
}

"$bstrain" synth "$work/data" --images-per-class 32 >/dev/null

echo "netns-test: where the ranks run"
mpirun_two_hosts "$bstrain" bench-dist --model tiny --image-size 32 --batch 8 --steps 1 --warmup 0 | tee "$work/bench.txt"
grep -q "4 ranks: $host_a (0-1), $host_b (2-3)" "$work/bench.txt" \
    || { echo "FAIL: ranks are not placed 2 and 2 on the two hosts" >&2; exit 1; }

# 20 kB buckets: tiny's gradient goes over TCP as 7 all-reduces overlapping backward.
train=(train --model tiny --loss ce+bst --train "$work/data/train" --val "$work/data/val" --image-size 64
    --batch 12 --epochs 1 --iterations-per-epoch 4 --threads 1 --bucket-mb 0.02 --log-format jsonl)
echo "netns-test: 4 ranks on one host (reference)"
timeout 120 "$repository/Scripts/mpirun-local" -n 4 "$bstrain" "${train[@]}" --run-dir "$work/run-local" > "$work/local.jsonl"

echo "netns-test: 2 hosts x 2 ranks over TCP"
before=$(veth_bytes)
mpirun_two_hosts "$bstrain" "${train[@]}" --run-dir "$work/run-hosts" > "$work/hosts.jsonl"
crossed=$(( $(veth_bytes) - before ))
weights=$(stat -c %s "$work/run-hosts/weights/last.safetensors")
echo "netns-test: $crossed bytes crossed the veth (weights file: $weights bytes; 4 steps)"
# Every step sums the gradients over the hosts, so well over a weights' worth crosses per step.
(( crossed > 4 * weights )) || { echo "FAIL: too little traffic crossed the veth for 4 all-reduces" >&2; exit 1; }

python3 "$repository/Tests/Integration/compare-runs.py" 1e-5 \
    "$work/local.jsonl" "$work/run-local" "$work/hosts.jsonl" "$work/run-hosts" "2 hosts x 2 ranks vs 4 ranks on one host"
echo "netns-test: passed"

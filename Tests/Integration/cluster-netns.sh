#!/usr/bin/env bash
# The multi-node path over real TCP: 2 "hosts" x 2 ranks in separate network namespaces
# (cluster/netns-test.sh) train to the same losses and weights as 4 ranks on one host, with
# the traffic seen crossing the veth between them. Skipped (exit 0, SKIP) where namespaces
# cannot be made.
source "$(dirname "$0")/lib.sh"

bash "$repository/cluster/netns-test.sh" "$bstrain"

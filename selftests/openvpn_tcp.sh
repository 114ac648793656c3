#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# openvpn_iroute.sh over TCP transport (proto tcp-server): the same peers,
# the same missing-iroute counts, log lines and ICMP answers.
OVPNHA_OPENVPN_PROTO=tcp exec "$(dirname "$0")/openvpn_iroute.sh"

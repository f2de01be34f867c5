#!/usr/bin/env bash
# Starts a single-node Slurm on this machine, as root and without systemd: munged (as the
# `munge` user), slurmctld and slurmd from Debian's packages, configured from
# scripts/slurm/slurm.conf.template with this machine's CPUs and memory. State, spool, pid and
# log files live in one folder (PLEURA_SLURM_STATE, default /tmp/pleura-slurm). Idempotent:
# installs what is missing, and does nothing more when the node already answers.
# The Slurm tests use it (`make test` runs it first and scripts/slurm-down.sh after).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${PLEURA_SLURM_STATE:-/tmp/pleura-slurm}
conf_link=/etc/slurm/slurm.conf

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-up: must run as root (it installs packages and starts daemons)" >&2
  exit 1
fi

packages=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "slurm-up: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The packages' scripts would start the daemons through the init system: not here. A
  # policy-rc.d the machine already has is left as it is (and it is removed only if made here).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Already up? (sinfo answers and the node is usable)
if [ -f "$state/slurm.conf" ] && SLURM_CONF="$state/slurm.conf" timeout 5 sinfo -h -o '%T' 2>/dev/null \
  | grep -qE '^(idle|mixed|allocated)'; then
  echo "slurm-up: already running (SLURM_CONF=$state/slurm.conf)"
  exit 0
fi

mkdir -p "$state/ctld" "$state/d"
chmod 755 "$state"
cpus=$(nproc)
# RealMemory in MiB, a little under what the machine has so the node is never refused as short.
memory=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
sed -e "s|@STATE@|$state|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEMORY@|$memory|g" \
  -e "s|@CTLD_PORT@|${PLEURA_SLURMCTLD_PORT:-6817}|g" -e "s|@D_PORT@|${PLEURA_SLURMD_PORT:-6818}|g" \
  "$here/slurm/slurm.conf.template" >"$state/slurm.conf"
# Clients (sbatch, squeue, the `pleura` processes the tests start) find the configuration at
# Debian's default place; an existing file that is not ours is left alone.
mkdir -p /etc/slurm
if [ ! -e "$conf_link" ] || [ -L "$conf_link" ]; then ln -sfn "$state/slurm.conf" "$conf_link"; fi

# munge: a key (the package's postinst makes one; make it if missing), its folders, the daemon.
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
chmod 755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

export SLURM_CONF="$state/slurm.conf"
# A leftover controller or node daemon from an earlier run of this script is stopped first.
for daemon in slurmctld slurmd; do
  if [ -f "$state/$daemon.pid" ] && kill -0 "$(cat "$state/$daemon.pid")" 2>/dev/null; then
    kill "$(cat "$state/$daemon.pid")" 2>/dev/null || true
    sleep 1
  fi
done
/usr/sbin/slurmctld -f "$SLURM_CONF" -i
/usr/sbin/slurmd -f "$SLURM_CONF"

for _ in $(seq 100); do
  if timeout 5 sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "slurm-up: single-node Slurm running (SLURM_CONF=$SLURM_CONF, $cpus CPUs, $memory MiB)"
    exit 0
  fi
  sleep 0.2
done
echo "slurm-up: the node did not become idle; see $state/slurmctld.log and $state/slurmd.log" >&2
sinfo -N -l >&2 || true
exit 1

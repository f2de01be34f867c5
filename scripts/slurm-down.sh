#!/usr/bin/env bash
# Stops the single-node Slurm that scripts/slurm-up.sh started and removes its state folder.
# munged is left running (other programs on the machine may use it). Idempotent.
set -euo pipefail
state=${PLEURA_SLURM_STATE:-/tmp/pleura-slurm}
for daemon in slurmd slurmctld; do
  pid_file="$state/$daemon.pid"
  if [ -f "$pid_file" ] && pid=$(cat "$pid_file") && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
done
# The configuration link made by slurm-up.sh, if it still points into this state folder.
if [ -L /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" = "$state/slurm.conf" ]; then
  rm -f /etc/slurm/slurm.conf
fi
rm -rf "$state"
echo "slurm-down: stopped"

#!/usr/bin/env bash
# Brings up a real single-node Slurm on this machine from Debian's packages (slurm-wlm, munge),
# for the integration test of `lrtl run --executor slurm` (tests/slurm_e2e_test.ts).
#
# Idempotent: installs the packages if missing, writes a munge key and /etc/slurm/slurm.conf for
# one node (this host's name, CPUs and memory), starts munged, slurmctld and slurmd unless they
# already run, and waits until `sinfo` shows the node idle. No cgroups, no accounting daemon:
# the executor polls `squeue` and `scontrol show job` (sacct needs slurmdbd).
#
# Needs root. Fails loudly (exit 1, the reason on stderr) when Slurm cannot be started.
# Usage: bash tests/slurm/start_slurm.sh        (LRTL_SLURM_CONF=path writes the config elsewhere)
set -euo pipefail

die() {
  echo "start_slurm.sh: FAILED: $*" >&2
  for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log /var/log/munge/munged.log; do
    [ -f "$f" ] && { echo "--- last lines of $f" >&2; tail -15 "$f" >&2; }
  done
  exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages, writes /etc/slurm, starts daemons)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || die "slurm-wlm/munge are not installed and there is no apt-get"
  echo "start_slurm.sh: installing slurm-wlm and munge (apt-get)…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge) \
    >/tmp/lrtl-slurm-apt.log 2>&1 || { tail -20 /tmp/lrtl-slurm-apt.log >&2; die "apt-get install slurm-wlm munge failed"; }
fi

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
conf=${LRTL_SLURM_CONF:-/etc/slurm/slurm.conf}

# --- munge: a key readable by the munge user only, then the daemon.
mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none || die "cannot write /etc/munge/munge.key"
fi
if id munge >/dev/null 2>&1; then
  chown munge:munge /etc/munge /etc/munge/munge.key /var/lib/munge /var/log/munge /run/munge
  chmod 0700 /etc/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  chmod 0400 /etc/munge/munge.key
fi
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if id munge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged || die "munged did not start"
  else
    /usr/sbin/munged --force || die "munged did not start"
  fi
  for _ in $(seq 1 20); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.5; done
  munge -n | unmunge >/dev/null || die "munge does not answer after starting munged"
fi

# --- slurm.conf for one node: this host, its CPUs and memory.
mkdir -p "$(dirname "$conf")" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/slurm
new=$(mktemp)
cat >"$new" <<EOF
# Written by lrtl tests/slurm/start_slurm.sh: a single-node test cluster.
ClusterName=lrtl
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
ReturnToService=2
MinJobAge=600
MaxArraySize=10001
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF
changed=1
if [ -f "$conf" ] && cmp -s "$new" "$conf"; then changed=0; fi
[ "$changed" -eq 1 ] && cp "$new" "$conf"
rm -f "$new"
# The Debian package ships a cgroup-less setup fine with these plugins; an empty cgroup.conf
# keeps slurmd from probing cgroup settings it does not use.
[ -f "$(dirname "$conf")/cgroup.conf" ] || echo "CgroupPlugin=autodetect" >"$(dirname "$conf")/cgroup.conf"

running() { pgrep -x "$1" >/dev/null; }

if [ "$changed" -eq 1 ] && running slurmctld; then
  echo "start_slurm.sh: slurm.conf changed; restarting the daemons"
  pkill -x slurmd || true
  pkill -x slurmctld || true
  sleep 2
fi
running slurmctld || /usr/sbin/slurmctld -f "$conf" || die "slurmctld did not start"
running slurmd || /usr/sbin/slurmd -f "$conf" || die "slurmd did not start"

# --- wait until the node is idle (or mixed/allocated: it answers jobs).
state=""
for _ in $(seq 1 60); do
  state=$(sinfo --noheader --nodes="$host" --format=%T 2>/dev/null | head -1 || true)
  case "$state" in
    idle | mixed | allocated | completing) break ;;
    down* | drain* | *unknown*) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  sleep 1
done
case "$state" in
  idle | mixed | allocated | completing) ;;
  *) die "node $host is not idle after 60 s (sinfo state: '${state:-no answer}')" ;;
esac
echo "start_slurm.sh: Slurm is up: node $host ($cpus CPUs, ${mem_mb} MB), state $state"

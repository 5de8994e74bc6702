#!/usr/bin/env bash
# Run the tiny test config through a real, one-node SLURM cluster and check it.
#
#   sudo tests/slurm/run.sh            (root: installs packages, starts daemons)
#
# 1. installs Debian's slurm-wlm and munge when missing (apt-get);
# 2. writes a private munge key and a one-node slurm.conf for this machine on 127.0.0.1
#    (CPUs and memory from `slurmd -C`, partitions `cpu` and `gpu` as in profiles/slurm),
#    all under one temporary directory, on free ports; nothing in /etc is changed (the
#    config is linked at /run/slurm/conf/slurm.conf while the test runs, see below);
# 3. starts munged, slurmctld and slurmd (their pids recorded);
# 4. runs config/test.yaml with `snakemake --profile profiles/slurm` plus local overrides:
#    what a cluster without accounting needs (--slurm-status-command squeue
#    --slurm-no-account), one thread per job (a 2-CPU node; also what the local run uses,
#    so the panels can be compared exactly), faster status polling;
# 5. checks that every job ran as a SLURM job (a SLURM job id per job in the log, each
#    COMPLETED in squeue) and that the result tables equal a local run of the same config;
# 6. cancels any job of its cluster still queued (on failure), stops the daemons it
#    started, by pid (also on failure), and removes the directory.
#
# Environment: SEQATTN_PYTHON_BIN (default .venv/bin), SLURM_TEST_CONFIG (default
# config/test.yaml), KEEP_SLURM_DIR=1 to keep the temporary directory (logs),
# LOCAL_RESULTS=DIR to compare with a finished local run of the same config instead of
# running one. Takes about 8 minutes on 2 idle cores (6 through SLURM, 2 locally).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${SEQATTN_PYTHON_BIN:-$REPO/.venv/bin}"
export PATH="$BIN:$PATH"
CONFIG="${SLURM_TEST_CONFIG:-$REPO/config/test.yaml}"

log() { printf '[slurm-test %s] %s\n' "$(date +%T)" "$*"; }
die() { log "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (installs packages and starts the SLURM daemons)"

# ---- 1. packages ----------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# ---- 2. configuration -----------------------------------------------------------------
WORK="$(mktemp -d /tmp/seqattn-slurm.XXXXXX)"
chmod 700 "$WORK"
mkdir -p "$WORK"/{munge,state,spool,log,run-slurm,run-local}
PIDS=()

cleanup() {
    local rc=$?
    if [ "${#PIDS[@]}" -gt 1 ]; then    # our slurmctld runs: cancel what is left, by job id
        squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null || true
        sleep 1
    fi
    # slurmd, slurmctld, then munged (the SLURM daemons authenticate until they exit)
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill "${PIDS[$i]}" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [ "${CREATED_RUN_CONF:-0}" = 1 ] && [ "$(readlink "$RUN_CONF")" = "$SLURM_CONF" ]; then
        rm -f "$RUN_CONF"
    fi
    if [ "${KEEP_SLURM_DIR:-0}" = 1 ] || [ "$rc" != 0 ]; then
        log "logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

NODE_LINE="$(slurmd -C | head -n1)"          # NodeName=<host> CPUs=.. ... RealMemory=..
NODE="$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$NODE_LINE")"
CPUS="$(sed -E 's/.* CPUs=([0-9]+).*/\1/' <<<"$NODE_LINE")"
MEM="$(sed -E 's/.* RealMemory=([0-9]+).*/\1/' <<<"$NODE_LINE")"
MEM=$((MEM * 9 / 10))                        # leave the OS some room
CTLD_PORT="$(free_port)"
SLURMD_PORT="$(free_port)"
SOCKET="$WORK/munge/munge.socket"

dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"

export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=seqattn-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
# keep finished jobs visible to squeue: the status command on a cluster without accounting
MinJobAge=86400
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=cpu Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$NODE MaxTime=INFINITE State=UP
EOF
# Inside a job, Snakemake's job step runs `srun` with every SLURM_* variable removed, so
# SLURM_CONF does not reach it; Slurm clients then read /etc/slurm/slurm.conf, else
# /run/slurm/conf/slurm.conf (where a configless slurmd caches its config). Publish ours there.
[ -e /etc/slurm/slurm.conf ] && die "/etc/slurm/slurm.conf exists: this machine has a SLURM of its own"
RUN_CONF=/run/slurm/conf/slurm.conf
[ -e "$RUN_CONF" ] && die "$RUN_CONF exists (a configless slurmd, or another run of this test)"
rm -f "$RUN_CONF"                            # a dangling link left by a killed run
mkdir -p /run/slurm/conf
ln -s "$SLURM_CONF" "$RUN_CONF"
CREATED_RUN_CONF=1
log "one-node cluster: $NODE, $CPUS CPUs, $MEM MB, ports $CTLD_PORT/$SLURMD_PORT, in $WORK"

# ---- 3. daemons -----------------------------------------------------------------------
munged --foreground --force --socket="$SOCKET" --key-file="$WORK/munge/munge.key" \
    --pid-file="$WORK/munged.pid" --log-file="$WORK/log/munged.log" \
    --seed-file="$WORK/munge/munged.seed" >"$WORK/log/munged.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || die "munged did not start (see $WORK/log/munged.log)"

slurmctld -D -f "$SLURM_CONF" >"$WORK/log/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" -N "$NODE" >"$WORK/log/slurmd.out" 2>&1 &
PIDS+=($!)

for _ in $(seq 60); do
    state="$(sinfo -h -n "$NODE" -o %t 2>/dev/null | head -n1 || true)"
    [[ "$state" =~ ^(idle|mix|alloc) ]] && break
    sleep 1
done
[[ "${state:-}" =~ ^(idle|mix|alloc) ]] || die "node not idle (state '${state:-none}'), see $WORK/log"
log "SLURM up: $(sinfo -h -o '%P %a %D %t' | tr '\n' ';')"

# ---- 4. the workflow through SLURM ----------------------------------------------------
cd "$REPO"
SECONDS=0
snakemake --profile profiles/slurm --configfile "$CONFIG" --directory "$WORK/run-slurm" \
    --slurm-status-command squeue --slurm-no-account \
    --slurm-init-seconds-before-status-checks 5 --seconds-between-status-checks 5 \
    --set-threads select=1 select_final=1 select_final_attention=1 validate=1 \
    --jobs "$CPUS" >"$WORK/log/snakemake-slurm.log" 2>&1 \
    || { tail -n 40 "$WORK/log/snakemake-slurm.log"; die "snakemake through SLURM failed"; }
log "workflow through SLURM finished in ${SECONDS}s"

# ---- 5. checks ------------------------------------------------------------------------
# Every job that runs a command was submitted with sbatch and finished COMPLETED.
mapfile -t JOBIDS < <(grep -oE 'SLURM jobid [0-9]+' "$WORK/log/snakemake-slurm.log" |
    awk '{print $3}' | sort -un)
N_REMOTE="$(grep -cE '^rule [A-Za-z_]+:' "$WORK/log/snakemake-slurm.log" || true)"
N_LOCAL="$(grep -cE '^localrule [A-Za-z_]+:' "$WORK/log/snakemake-slurm.log" || true)"
log "${#JOBIDS[@]} SLURM job ids for $N_REMOTE jobs; $N_LOCAL local job(s) (the target rule)"
[ "${#JOBIDS[@]}" -gt 0 ] || die "no SLURM job ids in the log"
[ "${#JOBIDS[@]}" = "$N_REMOTE" ] || die "not every job ran as a SLURM job"
[ "$(grep -E '^localrule [A-Za-z_]+:' "$WORK/log/snakemake-slurm.log" | grep -vc '^localrule all:' || true)" = 0 ] \
    || die "a job other than the target rule ran outside SLURM"
BAD="$(squeue -h --states=all -o '%i %T' | awk -v ids=" ${JOBIDS[*]} " \
    'index(ids, " "$1" ") && $2!="COMPLETED"')"
[ -z "$BAD" ] || die "SLURM jobs not COMPLETED: $BAD"
for id in "${JOBIDS[@]}"; do
    squeue -h --states=all -j "$id" -o %i | grep -qx "$id" || die "job $id unknown to SLURM"
done
log "every job ran as a SLURM job and COMPLETED"

# The same config locally gives the same tables.
if [ -n "${LOCAL_RESULTS:-}" ]; then
    LOCAL="$LOCAL_RESULTS"
else
    SECONDS=0
    snakemake --cores "$CPUS" --configfile "$CONFIG" --directory "$WORK/run-local" \
        >"$WORK/log/snakemake-local.log" 2>&1 || die "local run failed"
    log "local run finished in ${SECONDS}s"
    LOCAL="$WORK/run-local"
fi
python3 "$REPO/tests/slurm/compare_results.py" "$LOCAL/results" "$WORK/run-slurm/results" \
    || die "SLURM results differ from the local run"
log "PASS: SLURM results equal the local run"

#!/usr/bin/env bash
# The training runs behind BENCHMARKS.md's Learning section, one at a time, in order, into
# runs/learning/NAME (NAME.log beside each). Restartable: a finished run is skipped and an
# interrupted one resumed from its last checkpoint. Then summarise them:
#   nohup benchmarks/learning_runs.sh > runs/learning/queue.log 2>&1 &
#   python benchmarks/learning.py runs/learning/* --threshold 0.9 --episodes 64 --plot curves.png
# `ONLY=ppo benchmarks/learning_runs.sh` runs only the names containing "ppo".
set -u
cd "$(dirname "$0")/.."
ARCADE=${ARCADE:-.venv/bin/arcade}
OUT=${OUT:-runs/learning}
mkdir -p "$OUT"

finished() {  # the run's latest checkpoint is its last update
  .venv/bin/python - "$1" <<'PY'
import sys, tomllib
from pathlib import Path
d = Path(sys.argv[1])
c = tomllib.loads((d / "config.toml").read_text())
n = c["total_frames"] // (c["num_envs"] * c["num_steps"])
done = [int(p.name) for p in (d / "checkpoints").glob("*") if p.name.isdigit()]
sys.exit(0 if done and max(done) >= n else 1)
PY
}

run() {  # run NAME ARGS...: train into $OUT/NAME unless it is finished
  local name=$1; shift
  case "$name" in *"${ONLY:-}"*) ;; *) return 0 ;; esac
  local dir=$OUT/$name
  if [ -f "$dir/config.toml" ] && finished "$dir"; then
    echo "$(date -Is) $name: finished, skipped"; return 0
  fi
  if [ -d "$dir/checkpoints" ] && ls "$dir/checkpoints" | grep -q '^[0-9]'; then
    echo "$(date -Is) $name: resuming"
    $ARCADE train --resume "$dir" --no-progress >> "$OUT/$name.log" 2>&1
  else
    rm -rf "$dir"
    echo "$(date -Is) $name: starting"
    $ARCADE train "$@" --out "$dir" --no-progress > "$OUT/$name.log" 2>&1
  fi
  echo "$(date -Is) $name: exit $? ($(tail -n 1 "$OUT/$name.log"))"
}

COMMON="--num-envs 32 --features 64"
PQN="--lr 0.001 --set eps_decay=0.1"
DQN="--set lam=0.65 target_update_every=2 eps_decay=0.1 lr_decay=true"
# the first three DQN rows were run before DQN's Q head started small: q_init_scale=1 reproduces them
run ppo-cp-mlp  --algo ppo --memory none --env CartPoleEasy --no-partial $COMMON --lr 0.001 --total-frames 500000
run ppo-cr-GRU  --algo ppo --memory GRU --env CountRecallEasy --partial $COMMON --lr 0.001 --total-frames 500000
run ppo-cr-none --algo ppo --memory none --env CountRecallEasy --partial $COMMON --lr 0.001 --total-frames 500000
run cp-dqn-mlp  --algo dqn --memory none --env CartPoleEasy --no-partial $COMMON --total-frames 1000000 --lr 0.001 $DQN buffer_rollouts=8 q_init_scale=1
run cr-dqn-GRU  --algo dqn --memory GRU --env CountRecallEasy --partial $COMMON --total-frames 500000 --lr 0.0003 $DQN q_init_scale=1
run cr-dqn-none --algo dqn --memory none --env CountRecallEasy --partial $COMMON --total-frames 500000 --lr 0.0003 $DQN q_init_scale=1
run cp-dqn-small-head --algo dqn --memory none --env CartPoleEasy --no-partial $COMMON --total-frames 1000000 --lr 0.0003 --set eps_decay=0.1
run cr-dqn-GRU-small-head  --algo dqn --memory GRU --env CountRecallEasy --partial $COMMON --total-frames 500000 --lr 0.0003 --set eps_decay=0.1
run cr-dqn-none-small-head --algo dqn --memory none --env CountRecallEasy --partial $COMMON --total-frames 500000 --lr 0.0003 --set eps_decay=0.1
echo "$(date -Is) done"

#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser: tests/fuzz/run.sh TARGET MINUTES
#   targets: gguf traces datasets pipeline recipe prompt tokenizer answers (see tests/LlmDistill.Fuzz/FuzzTargets.cs)
# Installs AFL++ (Debian's afl++, when missing and root) and the sharpfuzz instrumenter (local dotnet tool), builds the
# fuzz app in Release into artifacts/fuzz/bin, instruments the project's assemblies and the third-party parsers they
# call (Parquet.Net, YamlDotNet), and runs afl-fuzz from tests/fuzz/corpus/TARGET for MINUTES minutes.
# Findings: artifacts/fuzz/TARGET/default/{crashes,hangs,queue,fuzzer_stats} (git-ignored). Replay one with
#   dotnet artifacts/fuzz/bin/LlmDistill.Fuzz.dll replay TARGET FILE
set -euo pipefail
targets="gguf traces datasets pipeline recipe prompt tokenizer answers"
if [[ $# -ne 2 || " $targets " != *" $1 "* || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 TARGET MINUTES   (targets: $targets)" >&2
  exit 2
fi
target=$1 minutes=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if ! command -v afl-fuzz >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then echo "afl-fuzz is missing: install Debian's afl++ (apt-get install afl++) as root" >&2; exit 1; fi
  apt-get install -y afl++ || { apt-get update && apt-get install -y afl++; }
fi
dotnet tool restore >/dev/null

bin=artifacts/fuzz/bin
# Rebuilt when a source changed since the last instrumented build; a fresh folder each time, as sharpfuzz instruments
# in place and an assembly must not be instrumented twice.
# LLMDISTILL_FUZZ_REUSE_BUILD=1 keeps an existing instrumented build as it is (several targets in a row while the sources change).
if [[ ! -f $bin/.instrumented ]] || { [[ ${LLMDISTILL_FUZZ_REUSE_BUILD:-} != 1 && -n $(find src tests/LlmDistill.Fuzz Directory.Packages.props -newer "$bin/.instrumented" -not -path '*/obj/*' -not -path '*/bin/*' \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -print -quit) ]]; }; then
  rm -rf "$bin"
  dotnet build tests/LlmDistill.Fuzz -c Release -o "$bin" -v quiet -nologo -clp:ErrorsOnly
  for dll in LlmDistill.Core.dll LlmDistill.Gguf.dll LlmDistill.Demo.dll Parquet.dll YamlDotNet.dll; do
    dotnet sharpfuzz "$bin/$dll" >/dev/null
  done
  touch "$bin/.instrumented"
fi

out=artifacts/fuzz/$target
mkdir -p "$out"
# No CPU frequency governor, cores shared with other work, a managed binary AFL cannot check for instrumentation,
# and no core_pattern change in a container: tell AFL so. -t 5000: AFL's own limit is above the harness's 1 s
# watchdog, which ends the process with a message naming the target (a crash in AFL's count).
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
resume=(-i "tests/fuzz/corpus/$target")
[[ -f $out/default/fuzzer_stats ]] && resume=(-i -)   # continue an earlier run of this target
# CPU time, the issue's unit (AFL reports wall time; a niced target on a shared machine gets much less than a core):
# every 5 s the utime + stime of afl-fuzz and of its target process (it restarts after a crash) is written to
# $out/cpu/<pid>, so the total over all runs of the target is their sum.
mkdir -p "$out/cpu"
( while sleep 5; do
    for pid in $(pgrep -f "artifacts/fuzz/$target( |$)|LlmDistill.Fuzz.dll $target$"); do
      awk '{print $14 + $15}' "/proc/$pid/stat" > "$out/cpu/$pid" 2>/dev/null || true
    done
  done ) &
sampler=$!
trap 'kill $sampler 2>/dev/null' EXIT
afl-fuzz "${resume[@]}" -o "$out" -t 5000 -m none -V $((minutes * 60)) -- dotnet "$bin/LlmDistill.Fuzz.dll" "$target"
stats=$out/default/fuzzer_stats
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|saved_crashes|saved_hangs) ' "$stats"
cat "$out"/cpu/* | awk '{ticks += $1} END {printf "cpu_minutes       : %.1f (all runs of this target)\n", ticks / 100 / 60}'


#!/usr/bin/env bash
# Paired runtime comparison (README "Runtime: LLamaSharp vs the npm build"), alternating in one session:
#   new  = this checkout's benchmarks (llama.cpp through LLamaSharp 0.30.0, commit 815a2a59),
#   old  = the benchmarks built at the commit before the move (our own binding over npm's llama.cpp v0.5.0),
#   bb   = llama.cpp's llama-batched-bench (built from the v0.5.0 sources in node-llama-cpp@3.22.1, GGML_NATIVE=ON).
# Workloads: (a) 16 sequences x (64 prompt + 64 generated), top-20 capture (with --phases: prompt phase timed alone);
#            (b) the generate stage, 16 short questions behind a 256-token shared few-shot prefix (--raw).
# usage: scripts/compare-runtimes.sh OLD_BENCHMARKS_DLL LLAMA_BATCHED_BENCH [PAIRS]   (from the repository root,
#        after dotnet build -c Release tests/LlmDistill.Benchmarks here and at the old commit)
set -euo pipefail
old=$1; bb=$2; pairs=${3:-4}
new=tests/LlmDistill.Benchmarks/bin/Release/net10.0/LlmDistill.Benchmarks.dll
model=${LLMDISTILL_CACHE:-$HOME/.cache/llmdistill}/bench/random-qwen2.5-0.5b-shape-q8_0.gguf
threads=$(nproc)
for i in $(seq "$pairs"); do
  echo "## pair $i (a): 16 x (64 + 64), columns: total tok/s | generated tok/s | wall | prompt phase s | generation s"
  echo "new $(dotnet "$new" --repeats 1 --parallel 16 --phases | grep -E '^\| 16 \| (top|off)' | tr '\n' ' ')"
  echo "old $(dotnet "$old" --repeats 1 --parallel 16 --phases | grep -E '^\| 16 \| (top|off)' | tr '\n' ' ')"
  echo "bb  $("$bb" -m "$model" -c 4096 -b 2048 -ub 512 -npp 64 -ntg 64 -npl 16 -t "$threads" 2>/dev/null | grep -E '^\|\s+64 ')"
  echo "## pair $i (b): generate stage, 256-token shared prefix"
  echo "new $(dotnet "$new" --generate-stage --scale 1 --short-questions --raw | grep -E '^\| 16 ')"
  echo "old $(dotnet "$old" --generate-stage --scale 1 --short-questions --raw | grep -E '^\| 16 ')"
  echo "bb  $("$bb" -m "$model" -c 8192 -b 2048 -ub 512 -npp 256 -ntg 64 -npl 16 -pps -t "$threads" 2>/dev/null | grep -E '^\|\s+256 ')"
done

#!/usr/bin/env python3
"""bench/run end-to-end: one table from the peer's JSON, GNU time's output of `bin/curate run` and its run-summary.json.
usage: end_to_end_report.py PEER_JSON TIME_FILE RUN_SUMMARY VIDEO_SECONDS"""
import json, sys

peer = json.load(open(sys.argv[1]))
user, sys_s, wall, rss_kb = open(sys.argv[2]).read().split()
ours_cpu, ours_wall = float(user) + float(sys_s), float(wall)
summary = json.load(open(sys.argv[3]))
video_s = float(sys.argv[4])
ours = {"video_s_per_cpu_s": video_s / ours_cpu, "video_s_per_wall_s": video_s / ours_wall}
print("who\tvideo_s\tcpu_s\twall_s\tvideo_s_per_cpu_s\tvideo_s_per_wall_s\tcpu_over_wall")
print(f"peer (score_py.py --procs 2)\t{peer['video_s']}\t{peer['cpu_s']}\t{peer['wall_s']}\t{peer['video_s_per_cpu_s']}\t{peer['video_s_per_wall_s']}\t{peer['cpu_s'] / peer['wall_s']:.2f}")
print(f"avcurate (bin/curate run, conf/default.yaml)\t{video_s:.1f}\t{ours_cpu:.1f}\t{ours_wall:.1f}\t{ours['video_s_per_cpu_s']:.2f}\t{ours['video_s_per_wall_s']:.2f}\t{ours_cpu / ours_wall:.2f}")
print(f"ratio avcurate / peer\t\t\t\t{ours['video_s_per_cpu_s'] / peer['video_s_per_cpu_s']:.2f}\t{ours['video_s_per_wall_s'] / peer['video_s_per_wall_s']:.2f}\t")
print(f"# avcurate peak RSS {int(rss_kb) / 1024:.0f} MB; JVM + Spark start {summary.get('seconds_spark_start', 0):.1f} s")
print("stage\tseconds\tdetail")
for name, st in summary.get("stages", {}).items():
    detail = ", ".join(f"{k[8:]} {v:.1f}" for k, v in st.items() if k.startswith("seconds_") and isinstance(v, (int, float)))
    print(f"{name}\t{st.get('seconds', 0):.1f}\t{detail}")
score = summary.get("stages", {}).get("score", {})
if score.get("task_seconds"):
    # Task seconds summed over both cores: where the score stage's CPU went, per second of video.
    print("score task\tseconds\tper video-s")
    for k, v in sorted(score["task_seconds"].items(), key=lambda kv: -kv[1]):
        print(f"{k}\t{v:.1f}\t{v / video_s:.4f}")

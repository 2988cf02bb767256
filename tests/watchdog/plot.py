"""`python -m tests.watchdog.plot`: draw the simulated conference day into docs/monitoring-conference-day.png.

Needs matplotlib (`pip install -r watchdog/requirements-docs.txt`); the tests do not.
"""

from __future__ import annotations

import sys

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from tests.watchdog.simulation import ROOT, Result, conference_day_result

PICTURE = ROOT / "docs" / "monitoring-conference-day.png"
SHORT = {"cpu_percent": "CPU", "memory_percent": "memory", "error_rate_percent": "5xx rate", "p95_ms": "p95"}


def draw(day: Result) -> None:
    times = [m.at for m in day.minutes]
    figure, (cpu_axis, replica_axis) = plt.subplots(
        2, 1, figsize=(11, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    cpu_axis.plot(times, [m.cpu_percent for m in day.minutes], color="tab:blue", linewidth=1, label="CPU (% of limit)")
    backend, alerts = day.config.backend, day.config.alerts
    for value, label, style in (
        (alerts.cpu_percent, "alert", "tab:red"),
        (backend.scale_up.cpu_percent, "scale up", "tab:orange"),
        (backend.scale_down.cpu_percent, "scale down", "tab:green"),
    ):
        cpu_axis.axhline(value, color=style, linestyle="--", linewidth=0.8, label=f"{label} {value} %")
    fired = [e for e in day.alerts if e.kind == "fired"]
    for index, event in enumerate(fired):
        end = next(
            (e.at for e in day.alerts if e.rule == event.rule and e.kind == "resolved" and e.at > event.at),
            times[-1],
        )
        cpu_axis.axvspan(event.at, end, color="tab:red", alpha=0.08)
        # Staggered, since alerts of one episode fire within minutes of each other.
        cpu_axis.annotate(
            f"{event.at:%H:%M} {SHORT[event.rule]} alert", (event.at, 132 - 9 * index), fontsize=7, color="tab:red"
        )
    cpu_axis.set_ylim(0, 140)
    cpu_axis.set_yticks(range(0, 101, 20))
    cpu_axis.set_ylabel("CPU %")
    cpu_axis.legend(loc="center left", fontsize=8, ncol=1)
    cpu_axis.set_title("Simulated conference day (prod, event window): CPU, alerts and replicas")

    replica_axis.step(times, [m.replicas for m in day.minutes], where="post", color="black", label="replicas")
    for action in day.actions:
        replica_axis.annotate(
            "▲" if action.after > action.before else "▼",
            (action.at, action.after),
            ha="center",
            va="bottom",
            color="tab:orange" if action.after > action.before else "tab:green",
        )
    replica_axis.axhline(backend.max_replicas, color="grey", linestyle=":", linewidth=0.8, label="maximum")
    replica_axis.axhline(backend.event_replicas, color="grey", linestyle="-.", linewidth=0.8, label="event floor")
    replica_axis.set_ylim(0, backend.max_replicas + 1.5)
    replica_axis.set_ylabel("replicas")
    replica_axis.legend(loc="upper left", fontsize=8, ncol=3)
    replica_axis.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    replica_axis.set_xlabel("time of day (UTC)")
    figure.tight_layout()
    # Fixed metadata, so that an unchanged simulation redraws an identical file.
    figure.savefig(PICTURE, dpi=100, metadata={"Software": None})
    plt.close(figure)


def main() -> int:
    matplotlib.use("Agg")  # a file, no display
    draw(conference_day_result())
    print(PICTURE.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the PyTorch reference scripts share: timing a warmed-up step and printing the result."""
import json
import statistics
import sys
import time

import torch


def time_and_report(run_once, repeats, unit):
    """Runs `run_once` once untimed (warm-up), then `repeats` times; prints the median and context
    as JSON on stdout: {"secondsPer<unit>", "<unit lowercase>Seconds", "torch", "threads", "blas"}."""
    run_once()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        run_once()
        seconds.append(time.perf_counter() - started)
    json.dump(
        {
            f"secondsPer{unit}": statistics.median(seconds),
            f"{unit.lower()}Seconds": seconds,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "blas": loaded_blas(),
        },
        sys.stdout,
    )


def loaded_blas():
    """The BLAS shared library mapped into this process (after the matmuls above)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.split()[-1]}
    return sorted(paths)[0] if paths else "unknown"

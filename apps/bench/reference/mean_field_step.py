"""PyTorch reference for `netmarl-bench nn-speed --reference`: the same mean-field training step.

Reads one JSON object on stdin (written by apps/bench/src/commands/measure-nn-speed.ts):
  batchSize, numAgents, obsDim, hidden, numActions, steps, sources, targets (one graph's directed
  edges j -> i), observationsFile (float32 little-endian, batchSize*numAgents*obsDim values) and
  labelsFile (int32, one action label per node) — the TypeScript side's exact data.
Builds encoder Linear(obsDim, hidden)-ReLU, two mean-field rounds
  mu_i <- ReLU(W1 (s_i + sum_j s_j) + b + W2 (mu_i + sum_j mu_j))   (IP appendix B.1)
and a Linear(hidden, numActions) head; loss = mean cross-entropy; Adam(1e-3). Neighbour sums use
index_select + index_add_ over the batched graph, the usual PyTorch form (torch_scatter-free).
Prints {"secondsPerStep": median, "stepSeconds": [...], "torch": version, "threads": n, "blas": path}.
One thread (torch.set_num_threads(1); the caller sets OPENBLAS_NUM_THREADS=1) unless
NETMARL_REFERENCE_THREADS says otherwise. Debian's torch calls whatever libblas.so.3 the
alternatives system points at: the reference BLAS of libblas3 is ~6x slower than OpenBLAS
(apt-get install libopenblas0-pthread), so the BLAS actually loaded is reported.
"""
import json
import os
import sys

import numpy
import torch
from reference_timing import time_and_report


def main():
    spec = json.load(sys.stdin)
    torch.set_num_threads(int(os.environ.get("NETMARL_REFERENCE_THREADS", "1")))
    torch.manual_seed(0)
    batch, n = spec["batchSize"], spec["numAgents"]
    obs_dim, hidden, actions = spec["obsDim"], spec["hidden"], spec["numActions"]
    nodes = batch * n
    src = torch.tensor(spec["sources"], dtype=torch.long)
    dst = torch.tensor(spec["targets"], dtype=torch.long)
    offsets = (torch.arange(batch, dtype=torch.long) * n).repeat_interleave(src.numel())
    src_all = src.repeat(batch) + offsets
    dst_all = dst.repeat(batch) + offsets
    x = torch.from_numpy(numpy.fromfile(spec["observationsFile"], dtype="<f4").reshape(nodes, obs_dim))
    labels = torch.from_numpy(numpy.fromfile(spec["labelsFile"], dtype="<i4").astype("int64"))

    encoder = torch.nn.Linear(obs_dim, hidden)
    state_kernels = torch.nn.ModuleList([torch.nn.Linear(hidden, hidden) for _ in range(2)])
    intention_kernels = torch.nn.ModuleList([torch.nn.Linear(hidden, hidden, bias=False) for _ in range(2)])
    head = torch.nn.Linear(hidden, actions)
    modules = torch.nn.ModuleList([encoder, state_kernels, intention_kernels, head])
    optimizer = torch.optim.Adam(modules.parameters(), lr=1e-3)

    def with_neighbours(h):
        # h_i + sum over incoming edges j -> i of h_j
        return h.index_add(0, dst_all, h.index_select(0, src_all))

    def step():
        optimizer.zero_grad()
        state = torch.relu(encoder(x))
        state_sum = with_neighbours(state)
        intention = state
        for w1, w2 in zip(state_kernels, intention_kernels):
            intention = torch.relu(w1(state_sum) + w2(with_neighbours(intention)))
        loss = torch.nn.functional.cross_entropy(head(intention), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    time_and_report(step, spec["steps"], "Step")


if __name__ == "__main__":
    main()

"""PyTorch reference for `netmarl-bench train-speed --reference`: one update block of the ORIGINAL
PIC code (IouJenLiu/PIC, maddpg/ddpg_vec.py + models/ + replay_memory.py), run on this machine.

main_vec.py, every `steps_per_actor_update` = 100 env steps once the replay holds more than a batch,
runs `updates_per_step` = 8 actor updates and then `critic_updates_per_step` = 8 critic updates, each
on `memory.sample(batch_size = 1024)` (main_vec.py lines 186-200); this script times exactly that
block with main_vec.py's defaults (hidden 128, lr 1e-2, tau 0.01, gamma 0.95, soft target updates,
torch.set_num_threads(1)), on a replay filled with random transitions of the task's shapes, pushed
as main_vec.py pushes them (x [1, N*obs], action [1, N*|A|], mask [1, N], next_x, reward [1, N]).
No environment runs: the block's cost does not depend on the values in the replay.

One change to the original, for PyTorch >= 1.5: `models/graph_net.py::GraphNet.forward` adds and
divides in place on ReLU outputs (`feat += …`, `feat /= …`), which autograd now refuses ("modified
by an inplace operation"); it is replaced by the same arithmetic out of place (`without_inplace_ops`).

Reads one JSON object on stdin: picSource (the `maddpg` folder of a PIC checkout), numAgents, obsDim,
numActions, critic ("mlp" = MADDPG, "gcn_max" = PIC), shuffle (null or "shuffle" = MADDPGS), blocks,
replay (transitions pushed), seed. Prints {"secondsPerBlock": median, "blockSeconds": [...], "torch",
"threads", "blas"}.
"""
import contextlib
import json
import os
import random
import sys

import numpy
import torch
from reference_timing import time_and_report


def main():
    spec = json.load(sys.stdin)
    sys.path.insert(0, spec["picSource"])
    from ddpg_vec import DDPG  # noqa: E402  (the original code)
    from replay_memory import ReplayMemory, Transition  # noqa: E402
    from models import graph_net  # noqa: E402

    graph_net.GraphNet.forward = without_inplace_ops

    torch.set_num_threads(int(os.environ.get("NETMARL_REFERENCE_THREADS", "1")))
    random.seed(spec["seed"])
    numpy.random.seed(spec["seed"])
    torch.manual_seed(spec["seed"])
    n, obs_dim, n_action = spec["numAgents"], spec["obsDim"], spec["numActions"]
    obs_dims = [0] + [obs_dim] * n
    # DDPG(gamma, tau, hidden_size, obs_dim, n_action, n_agent, obs_dims, agent_id, actor_lr,
    #      critic_lr, fixed_lr, critic_type, actor_type, train_noise, num_episodes, num_steps,
    #      critic_dec_cen, target_update_mode, device) as main_vec.py builds it
    with contextlib.redirect_stdout(sys.stderr):  # PIC prints "# of critic params" on stdout
        agent = DDPG(0.95, 0.01, 128, obs_dim, n_action, n, obs_dims, 0, 1e-2, 1e-2, False,
                     spec["critic"], "mlp", False, 60000, 25, "cen", "soft", "cpu")
    memory = ReplayMemory(1000000)
    for _ in range(spec["replay"]):
        x = torch.Tensor(numpy.random.uniform(-1, 1, (1, n * obs_dim)))
        action = torch.softmax(torch.randn(n, n_action), dim=1).view(1, -1)
        mask = torch.ones(1, n)
        next_x = torch.Tensor(numpy.random.uniform(-1, 1, (1, n * obs_dim)))
        reward = torch.Tensor(numpy.random.uniform(-1, 0, (1, n)))
        memory.push(x, action, mask, next_x, reward)

    def block():
        for _ in range(8):
            batch = Transition(*zip(*memory.sample(1024)))
            agent.update_actor_parameters(batch, n - 1, spec["shuffle"])
        for _ in range(8):
            batch = Transition(*zip(*memory.sample(1024)))
            agent.update_critic_parameters(batch, n - 1, spec["shuffle"])

    time_and_report(block, spec["blocks"], "Block")


def without_inplace_ops(self, x):
    """GraphNet.forward of PIC's models/graph_net.py, out of place (same arithmetic)."""
    import torch.nn.functional as F

    if self.use_agent_id:
        agent_att = torch.cat([self.agent_att] * x.shape[0], 0)
        x = torch.cat([x, agent_att], 1)
    feat = (F.relu(self.gc1(x, self.adj)) + F.relu(self.nn_gc1(x))) / (1.0 * self.n_agents)
    out = (F.relu(self.gc2(feat, self.adj)) + F.relu(self.nn_gc2(feat))) / (1.0 * self.n_agents)
    if self.pool_type == "avg":
        ret = out.mean(1)
    elif self.pool_type == "max":
        ret, _ = out.max(1)
    return self.V(ret)


if __name__ == "__main__":
    main()

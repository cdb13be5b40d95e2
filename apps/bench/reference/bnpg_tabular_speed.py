"""Times the original BN-DAG tabular code (dchen48/BNPG `Tabular_Coordination_Game/cg.py`) on CPU.

Usage: python3 bnpg_tabular_speed.py <path to Tabular_Coordination_Game> [n] [iterations]
Each `update_policy()` is one exact policy-gradient step with the POA and the Nash gap of that
iteration, as `run.py` calls it (the reference for `pnpm bench bn-dag-tabular`'s iterations/s).
"""
import sys
import time

sys.path.insert(0, sys.argv[1])
import torch  # noqa: E402
import cg  # noqa: E402

torch.set_num_threads(1)
n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 20
for g_type in ["all_ones", "all_zeros"]:
    torch.manual_seed(1)
    mu = torch.tensor([1 / n for _ in range(2**n)]).view(-1, 1)
    game = cg.CoordinationGame(n, 0.1, 0.95, mu, 0.01, policy="tabular_baysian", device="cpu", optimizer_type="SGD", G_type=g_type)
    game.update_policy()  # the first call also runs the value iteration for J*
    start = time.perf_counter()
    for _ in range(iterations):
        game.update_policy()
    seconds = time.perf_counter() - start
    print(f"original n={n} {g_type}: {iterations / seconds:.2f} iterations/s ({seconds / iterations:.3f} s per iteration, 1 thread)")

"""Integer flow with lower bounds (Dinic), the exact core of category and date placement.

Category and date constraints are bounds on sums of counts (per target, per category, recent vs
older); a feasible integer flow through a small network is exactly a placement that satisfies them,
so the solver constructs placements instead of sampling and checking.
"""

from __future__ import annotations

from collections import deque

INF = 1 << 60


class FlowNetwork:
    """A network whose edges carry ``[low, high]`` bounds; ``solve()`` finds a feasible flow."""

    def __init__(self) -> None:
        self._to: list[int] = []
        self._cap: list[int] = []
        self._adj: list[list[int]] = []
        self._excess: list[int] = []
        self._low: list[int] = []
        self._edge_ids: list[int] = []
        self._infeasible = False

    def node(self) -> int:
        """Add a node and return its index."""
        self._adj.append([])
        self._excess.append(0)
        return len(self._adj) - 1

    def _arc(self, u: int, v: int, cap: int) -> int:
        self._to.append(v)
        self._cap.append(cap)
        self._adj[u].append(len(self._to) - 1)
        self._to.append(u)
        self._cap.append(0)
        self._adj[v].append(len(self._to) - 1)
        return len(self._to) - 2

    def edge(self, u: int, v: int, low: int, high: int) -> int:
        """Add an edge ``u -> v`` carrying between ``low`` and ``high`` units; return its id."""
        low = max(0, low)
        if high < low:
            self._infeasible = True  # an empty interval: no flow can meet it
            high = low
        arc = self._arc(u, v, max(0, high - low))
        self._excess[v] += low
        self._excess[u] -= low
        self._low.append(low)
        self._edge_ids.append(arc)
        return len(self._low) - 1

    def flow(self, edge: int) -> int:
        """Units on ``edge`` after a successful :meth:`solve`."""
        arc = self._edge_ids[edge]
        return self._low[edge] + self._cap[arc ^ 1]

    def solve(self, source: int, sink: int) -> bool:
        """Find a flow meeting every bound (any amount from ``source`` to ``sink``); True if one exists."""
        if self._infeasible:
            return False
        self._arc(sink, source, INF)
        s = self.node()
        t = self.node()
        need = 0
        for v in range(len(self._excess) - 2):
            e = self._excess[v]
            if e > 0:
                self._arc(s, v, e)
                need += e
            elif e < 0:
                self._arc(v, t, -e)
        return self._max_flow(s, t) == need

    def _max_flow(self, s: int, t: int) -> int:
        total = 0
        n = len(self._adj)
        while True:
            level = [-1] * n
            level[s] = 0
            queue = deque([s])
            while queue:
                u = queue.popleft()
                for a in self._adj[u]:
                    if self._cap[a] > 0 and level[self._to[a]] < 0:
                        level[self._to[a]] = level[u] + 1
                        queue.append(self._to[a])
            if level[t] < 0:
                return total
            it = [0] * n
            while True:
                pushed = self._push(s, t, INF, level, it)
                if not pushed:
                    break
                total += pushed

    def _push(self, s: int, t: int, limit: int, level: list[int], it: list[int]) -> int:
        # Iterative DFS keeps deep networks clear of Python's recursion limit.
        path: list[int] = []
        u = s
        while True:
            if u == t:
                amount = min(self._cap[a] for a in path) if path else 0
                amount = min(amount, limit)
                for a in path:
                    self._cap[a] -= amount
                    self._cap[a ^ 1] += amount
                return amount
            adj = self._adj[u]
            advanced = False
            while it[u] < len(adj):
                a = adj[it[u]]
                v = self._to[a]
                if self._cap[a] > 0 and level[v] == level[u] + 1:
                    path.append(a)
                    u = v
                    advanced = True
                    break
                it[u] += 1
            if not advanced:
                if not path:
                    return 0
                level[u] = -1  # dead end: never visit again in this phase
                a = path.pop()
                u = self._to[a ^ 1]
                it[u] += 1

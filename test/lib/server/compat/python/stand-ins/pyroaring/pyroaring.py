"""Stand-in for pyroaring (a compiled wheel that this machine's package index
lacks), used only when the real one is not installed: SwanLab 0.9 keeps the
steps it has seen per metric in a BitMap64 and needs only a set's behaviour."""


class BitMap64(set):
    def run_optimize(self):
        return False

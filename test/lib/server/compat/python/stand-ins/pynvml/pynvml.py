"""Stand-in for nvidia-ml-py (not in this machine's package index), used only
when the real one is not installed. On a machine without NVIDIA's driver the
real nvmlInit() raises too, which SwanLab takes as "no GPU"."""


class NVMLError(Exception):
    pass


def nvmlInit():
    raise NVMLError("NVML Shared Library Not Found")

"""wiredesk: a wire desk and syndication platform for news publishers."""

import os

__version__ = "0.1.0"

# numpy's OpenBLAS runs a large enough matrix product on a thread per core and leaves
# those threads spinning after it. wiredesk's products (a story's members compared, the
# section model) are small and already run in one process per core (web workers, job
# workers, the intelligence stage): the extra threads won nothing and burnt the other core
# (the intelligence stage spent 60 ms of CPU an item for 38 ms of wall). Set before numpy
# is first imported; an operator's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

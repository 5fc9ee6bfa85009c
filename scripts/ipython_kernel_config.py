# Installed by `make` into .venv/etc/ipython/, where IPython kernels started from the
# project's virtual environment read it.
#
# TensorFlow's C++ runtime writes log lines with timestamps and CPU flags straight to
# file descriptor 2 when it is imported (e.g. "oneDNN custom operations are on").
# ipykernel >= 6 forwards such OS-level output into the notebook, so the stored outputs
# would depend on the machine and the clock. Python-level warnings (sys.stderr) are still
# captured and checked by nbval; only raw C-level writes go to the terminal instead, as
# they do in Colab.
c.IPKernelApp.capture_fd_output = False  # noqa: F821  (`c` is provided by traitlets)

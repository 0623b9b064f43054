"""The picture, on the CPU: layout of dimensions into cells, normalisation and colormaps.

Pure numpy, no GL: the renderer uploads what these modules compute, and `reference` computes
the colours the GPU must draw, so the two can be compared in tests.
"""

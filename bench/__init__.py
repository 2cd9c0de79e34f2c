"""`make bench`: how the import, the export and the review screens scale, each against a floor measured in the same run.

The machine is shared and noisy, so every target is a ratio of two figures taken side by side in one process
(the work and its floor), each figure is the median of several runs, and every measurement runs in a fresh
subprocess so that one run's memory or caches never pollute the next. See docs/performance.md for the results.
"""

"""Sample policy records for the example collection, tests and benchmarks.

A development tool, not part of the desk: policies, reviews and api never import it. It is an app only so that
`manage.py generate_sample_policies` finds its command.
"""

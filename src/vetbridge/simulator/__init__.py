"""Simulator: the same case under both laws (staff) and the public French pension estimate.

Nothing is stored: each page and the API call the pure calculators of `vetbridge.rules` and
show what they return, with the mapping of the situation to each law stated in full.
"""

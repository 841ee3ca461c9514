"""Coverage and network faults: cells, area outages, planned maintenance, weak-coverage grids."""

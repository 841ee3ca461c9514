"""What every back-office system shares: errors, sourced values, the tool decorator, faults, HTTP."""

"""PON network management and the resource system: broadband accounts, OLT/port/ONU state, optical power, alarms."""

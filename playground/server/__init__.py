"""What the sessions of one server share: training turns on the cores, finished runs, claims on a run, the device."""

// placeholder until app wiring lands

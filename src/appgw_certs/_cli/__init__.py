"""The ``appgw-certs`` command: the parser and entry point, terminal and file output, and a
module per verb. Heavy layers are imported only when a verb runs, so ``--help`` stays fast.

May import every layer (and the public package).
"""

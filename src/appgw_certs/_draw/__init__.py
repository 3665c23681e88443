"""Pictures as text: escaping, chain diagrams, expiry timelines and the findings table, as
SVG and HTML strings written from small frozen view-models (:mod:`.model`).

Modules, each importing only modules before it: ``escape``, ``model``, ``chain_svg``,
``timeline_svg``, ``findings_table``.

May import: the standard library only (no cryptography: every higher layer builds the
view-model from its own objects).
"""

"""Radiative potentials: two trapped nanospheres (``nanospheres``: trap, optical binding, totals, forces,
stiffness, bound states; ``drives``: squeezed-vacuum and cat-state drives; ``casimir_polder``: the thermal
Casimir–Polder interaction) and random light (``random_light``: pair and many-body potentials;
``spectrum``: the optimiser of the light's spectrum)."""

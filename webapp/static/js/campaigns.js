/* campaigns behaviour (loaded on every page, acts only on its own data- attributes) */

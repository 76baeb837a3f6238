"""riskon's Dash components: ids, view state, figures, layout and the callbacks of each part."""

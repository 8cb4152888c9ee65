"""Services: load + persist. One public function = one transaction, committed at its end."""

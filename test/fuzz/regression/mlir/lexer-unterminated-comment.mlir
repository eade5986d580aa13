// Pké}
 Pk
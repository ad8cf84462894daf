// Ember

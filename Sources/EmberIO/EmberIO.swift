// EmberIO

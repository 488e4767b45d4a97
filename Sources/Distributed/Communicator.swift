import CMPIBridge

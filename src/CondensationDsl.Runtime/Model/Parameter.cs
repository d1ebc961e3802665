using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Runtime.Model;

/// <summary>A trainable tensor on the device with its gradient, e.g. "hidden.weight" (outputs×inputs) or "hidden.bias".</summary>
public sealed record Parameter(string Name, DeviceBuffer Value, DeviceBuffer Gradient, int Length);

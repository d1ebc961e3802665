namespace CondensationDsl.Kernels;

/// <summary>The requested ILGPU accelerator does not exist on this machine; the message says what is missing.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);

using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace CondensationDsl.Kernels.Tests.Support;

/// <summary>
/// A [Fact] for the device conformance suite: it is skipped (reported as skipped, not passed) when the concrete test
/// class carries a <see cref="DeviceRequirementAttribute"/> that is not met, e.g. the CUDA suite without a GPU.
/// xunit 2 has no dynamic skip, so the decision is made at discovery time by <see cref="DeviceFactDiscoverer"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("CondensationDsl.Kernels.Tests.Support.DeviceFactDiscoverer", "CondensationDsl.Kernels.Tests")]
public sealed class DeviceFactAttribute : FactAttribute;

/// <summary>Put on a concrete conformance class: returns why its tests cannot run here, or null when they can.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public abstract class DeviceRequirementAttribute : Attribute
{
    public abstract string? SkipReason();
}

public sealed class DeviceFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        Type testClass = testMethod.TestClass.Class.ToRuntimeType();
        string? skip = testClass.GetCustomAttributes<DeviceRequirementAttribute>(inherit: false)
            .Select(r => r.SkipReason())
            .FirstOrDefault(reason => reason is not null);
        TestMethodDisplay display = discoveryOptions.MethodDisplayOrDefault();
        TestMethodDisplayOptions options = discoveryOptions.MethodDisplayOptionsOrDefault();
        yield return skip is null
            ? new XunitTestCase(diagnosticMessageSink, display, options, testMethod)
            : new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, options, testMethod, skip);
    }
}

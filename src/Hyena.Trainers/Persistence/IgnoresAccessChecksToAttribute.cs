// The runtime honours this attribute (it is not in the BCL's public surface, so the assembly that
// uses it declares it): it lets Hyena.Trainers use ML.NET's internal persistence machinery, which
// the compiler sees through publicized reference assemblies (build/Hyena.Publicize.targets).
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices
{
    /// <summary>Lets this assembly access non-public members of the named assembly.</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        /// <summary>Creates the attribute for <paramref name="assemblyName"/>.</summary>
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        /// <summary>The assembly whose non-public members may be accessed.</summary>
        public string AssemblyName { get; }
    }
}

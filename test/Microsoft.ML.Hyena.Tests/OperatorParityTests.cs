namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The operator, as built by default, against fixtures computed with the reference implementation:
    /// exactly one test case per *.safetensors file of HYENA_PARITY_DIR (default ../shared/parity).
    /// The other execution paths are checked against the same fixtures in <see cref="ExecutionPathFixtureTests"/>.
    /// </summary>
    public class OperatorParityTests
    {
        public static System.Collections.Generic.IEnumerable<object[]> Fixtures() => ReferenceFixtures.Names();

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void MatchesReference(string fixture) => ReferenceFixtures.Check(fixture, _ => { }, "");
    }
}

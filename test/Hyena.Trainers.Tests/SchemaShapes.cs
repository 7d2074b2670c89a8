using System.Reflection;
using Microsoft.ML;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>SchemaShape.Create is internal to ML.NET; estimators' GetOutputSchema takes its result.</summary>
    internal static class SchemaShapes
    {
        public static SchemaShape Of(DataViewSchema schema)
            => (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, new[] { typeof(DataViewSchema) })!
                .Invoke(null, new object[] { schema })!;
    }
}

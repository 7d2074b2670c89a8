using System;
using System.Linq;
using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public enum Pooling { Mean, Last }

    public sealed class SearchSpaceTests
    {
#pragma warning disable CS0649 // fields set by reflection only
        /// <summary>A search space declared with ML.NET's attributes and ours.</summary>
        private sealed class DeclaredSpace
        {
            [Range(1e-4, 1e-2, logBase: true)]
            public double LearningRate;

            [Choice(32, 64, 128)]
            public int ModelDimension;

            [Range(1, 4)]
            public int Depth;

            [Range(0, 1)]
            public double Dropout;

            [BooleanChoice]
            public bool MixedPrecision;

            [Choice(nameof(Pooling.Mean), nameof(Pooling.Last))]
            public Pooling Pooling;

            [Fixed(64)]
            public int BatchSize;

            public int NotSearched = 7;
        }

        /// <summary>An options-like class with fields and a property.</summary>
        private sealed class Options
        {
            public double LearningRate;
            public int ModelDimension;
            public int Depth;
            public double Dropout;
            public bool MixedPrecision;
            public Pooling Pooling;
            public int BatchSize;
            public int? Seed;
            public float Scale { get; set; }
        }
#pragma warning restore CS0649

        [Fact]
        public void CodeBuiltRangesHaveTheRightTypes()
        {
            var space = new SweepSearchSpace()
                .Range("LearningRate", 1e-4, 1e-2, logBase: true)
                .Range("Depth", 1, 4)
                .Choice("ModelDimension", 32, 64, 128)
                .Fixed("BatchSize", 64);
            Assert.Equal(new[] { "LearningRate", "Depth", "ModelDimension", "BatchSize" }, space.Select(p => p.Name));
            var lr = Assert.IsType<RangeParameter>(space["LearningRate"]);
            Assert.False(lr.IsInteger);
            Assert.True(lr.LogBase);
            Assert.Equal(typeof(double), lr.ValueType);
            Assert.True(Assert.IsType<RangeParameter>(space["Depth"]).IsInteger);
            Assert.Equal(typeof(int), space["ModelDimension"].ValueType);
            Assert.Equal(64, Assert.IsType<FixedParameter>(space["BatchSize"]).Value);
        }

        [Fact]
        public void InvalidDefinitionsAreRefusedWithTheirName()
        {
            Assert.Contains("'A'", Assert.Throws<ArgumentOutOfRangeException>(() => new SweepSearchSpace().Range("A", 1.0, 1.0)).Message);
            Assert.Contains("log", Assert.Throws<ArgumentOutOfRangeException>(() => new SweepSearchSpace().Range("A", 0.0, 1.0, logBase: true)).Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => new SweepSearchSpace().Range("A", 0, 10, logBase: true));
            Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Range("A", 0, 1).Range("A", 0, 2));
            Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Choice<object>("A", 1, "x"));
            Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Choice<int>("A"));
            Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Choice("A", 1, 1));
        }

        [Fact]
        public void AttributesDeclareTheSpaceInDeclarationOrder()
        {
            SweepSearchSpace space = SweepSearchSpace.FromAttributes<DeclaredSpace>();
            Assert.Equal(new[] { "LearningRate", "ModelDimension", "Depth", "Dropout", "MixedPrecision", "Pooling", "BatchSize" }, space.Select(p => p.Name));
            var lr = Assert.IsType<RangeParameter>(space["LearningRate"]);
            Assert.Equal((1e-4, 1e-2, true, false), (lr.Min, lr.Max, lr.LogBase, lr.IsInteger));
            Assert.Equal(new object[] { 32, 64, 128 }, Assert.IsType<ChoiceParameter>(space["ModelDimension"]).Values);
            Assert.True(Assert.IsType<RangeParameter>(space["Depth"]).IsInteger);
            // [Range(0, 1)] on a double member is a float range, though its bounds are int literals.
            Assert.False(Assert.IsType<RangeParameter>(space["Dropout"]).IsInteger);
            Assert.Equal(new object[] { false, true }, Assert.IsType<ChoiceParameter>(space["MixedPrecision"]).Values);
            Assert.Equal(new object[] { Pooling.Mean, Pooling.Last }, Assert.IsType<ChoiceParameter>(space["Pooling"]).Values);
            Assert.Equal(64, Assert.IsType<FixedParameter>(space["BatchSize"]).Value);
        }

        [Fact]
        public void AssignmentIsWrittenIntoOptionsFieldsAndProperties()
        {
            var space = SweepSearchSpace.FromAttributes<DeclaredSpace>().Range("Scale", 1, 3).Fixed("Seed", 5);
            ParameterAssignment assignment = new RandomSearchTuner(3).Propose(space, 0)!;
            var options = assignment.ApplyTo(new Options());
            Assert.Equal(assignment["LearningRate"], options.LearningRate);
            Assert.Equal(assignment["ModelDimension"], options.ModelDimension);
            Assert.Equal(assignment["Pooling"], options.Pooling);
            Assert.Equal(64, options.BatchSize);
            Assert.Equal(5, options.Seed);
            Assert.Equal((float)(int)assignment["Scale"], options.Scale);
            Assert.Equal((double)(int)assignment["Depth"], assignment.Get<double>("Depth"));
            Assert.Equal(options.Pooling.ToString(), assignment.Get<string>("Pooling"));
        }

        [Fact]
        public void AssignmentToAnUnknownOrIncompatibleMemberNamesIt()
        {
            var unknown = new ParameterAssignment(new[] { new System.Collections.Generic.KeyValuePair<string, object>("Widht", 3) });
            Assert.Contains("'Widht'", Assert.Throws<ArgumentException>(() => unknown.ApplyTo(new Options())).Message);
            var fractional = new ParameterAssignment(new[] { new System.Collections.Generic.KeyValuePair<string, object>("Depth", 2.5) });
            Assert.Contains("'Depth'", Assert.Throws<ArgumentException>(() => fractional.ApplyTo(new Options())).Message);
        }

        [Fact]
        public void AssignmentsCompareByValueAndPrintInvariantly()
        {
            var space = TestSweeps.Space();
            var tuner = new RandomSearchTuner(1);
            Assert.Equal(tuner.Propose(space, 4), tuner.Propose(space, 4));
            Assert.NotEqual(tuner.Propose(space, 4), tuner.Propose(space, 5));
            var a = new ParameterAssignment(new[] { new System.Collections.Generic.KeyValuePair<string, object>("A", 0.5), new("B", "x") });
            Assert.Equal("A=0.5, B=x", a.ToString());
        }
    }
}

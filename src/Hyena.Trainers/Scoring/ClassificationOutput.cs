using System;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// The two columns a Hyena classifier adds, with ML.NET's multiclass annotations: Score (class
    /// probabilities with slot names) and PredictedLabel (a key of the label's type with its KeyValues).
    /// </summary>
    internal static class ClassificationOutput
    {
        public const int PredictedLabelIndex = 0;
        public const int ScoreIndex = 1;

        public static DataViewSchema.DetachedColumn[] Columns(DataViewSchema inputSchema, LabelDescription label, string scoreName, string predictedLabelName)
        {
            int classes = label.ClassCount;
            var predicted = new DataViewSchema.Annotations.Builder();
            label.AddKeyValues(predicted);

            var slotNames = label.ClassNames;
            var score = new DataViewSchema.Annotations.Builder();
            score.AddSlotNames(classes, (ref VBuffer<ReadOnlyMemory<char>> names) =>
            {
                var editor = VBufferEditor.Create(ref names, classes);
                for (int i = 0; i < classes; i++)
                    editor.Values[i] = slotNames[i].AsMemory();
                names = editor.Commit();
            });
            uint setId = checked(inputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);
            score.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint id) => id = setId);
            score.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> kind) => kind = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
            score.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> kind) => kind = AnnotationUtils.Const.ScoreValueKind.Score.AsMemory());
            label.AddTrainingLabelValues(score);

            var columns = new DataViewSchema.DetachedColumn[2];
            columns[PredictedLabelIndex] = new DataViewSchema.DetachedColumn(predictedLabelName, label.KeyType, predicted.ToAnnotations());
            columns[ScoreIndex] = new DataViewSchema.DetachedColumn(scoreName, new VectorDataViewType(NumberDataViewType.Single, classes), score.ToAnnotations());
            return columns;
        }

        /// <summary>Writes a row's probabilities into a Score buffer.</summary>
        public static void CopyScores(float[] probabilities, ref VBuffer<float> destination)
        {
            var editor = VBufferEditor.Create(ref destination, probabilities.Length);
            probabilities.AsSpan().CopyTo(editor.Values);
            destination = editor.Commit();
        }

        /// <summary>The predicted key (1-based) of a row's probabilities.</summary>
        public static uint PredictedKey(float[] probabilities)
        {
            int best = 0;
            for (int i = 1; i < probabilities.Length; i++)
            {
                if (probabilities[i] > probabilities[best])
                    best = i;
            }
            return (uint)best + 1;
        }
    }
}

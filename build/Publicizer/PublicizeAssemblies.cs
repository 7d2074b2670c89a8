// MSBuild inline task (build/Hyena.Publicize.targets): writes copies of assemblies in which every
// type and member is public, for the compiler only. ML.NET keeps the machinery that saves a
// transformer into model.zip internal; compiling against these copies, with
// [IgnoresAccessChecksTo] in the assembly, lets Hyena.Trainers use it while the real assemblies
// are used at run time.
using System;
using System.IO;
using Mono.Cecil;

namespace Hyena.Build
{
    public sealed class PublicizeAssemblies : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Assemblies { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string OutputDirectory { get; set; } = string.Empty;

        [Microsoft.Build.Framework.Output]
        public Microsoft.Build.Framework.ITaskItem[] Publicized { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        public override bool Execute()
        {
            Directory.CreateDirectory(OutputDirectory);
            var result = new Microsoft.Build.Framework.ITaskItem[Assemblies.Length];
            for (int i = 0; i < Assemblies.Length; i++)
            {
                string source = Assemblies[i].ItemSpec;
                string target = Path.Combine(OutputDirectory, Path.GetFileName(source));
                if (!File.Exists(target) || File.GetLastWriteTimeUtc(target) < File.GetLastWriteTimeUtc(source))
                {
                    var resolver = new DefaultAssemblyResolver();
                    resolver.AddSearchDirectory(Path.GetDirectoryName(source));
                    using (var assembly = AssemblyDefinition.ReadAssembly(source, new ReaderParameters { AssemblyResolver = resolver }))
                    {
                        foreach (var type in assembly.MainModule.GetTypes())
                            Publicize(type);
                        assembly.Write(target);
                    }
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"Publicized {source} -> {target}");
                }
                var item = new Microsoft.Build.Utilities.TaskItem(target);
                Assemblies[i].CopyMetadataTo(item);
                result[i] = item;
            }
            Publicized = result;
            return true;
        }

        private static void Publicize(TypeDefinition type)
        {
            if (type.IsNested)
                type.IsNestedPublic = true;
            else
                type.IsPublic = true;
            foreach (var method in type.Methods)
            {
                // Keep 'protected' overridable members recognisable as overrides: make all public.
                method.IsPublic = true;
            }
            foreach (var field in type.Fields)
            {
                // Event backing fields would clash with the events once public.
                bool isEventBacking = false;
                foreach (var e in type.Events)
                    if (e.Name == field.Name) { isEventBacking = true; break; }
                if (!isEventBacking)
                    field.IsPublic = true;
            }
        }
    }
}

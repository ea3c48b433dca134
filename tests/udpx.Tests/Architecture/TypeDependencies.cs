using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Udpx.Tests.Architecture;

/// <summary>One arrow in the compiled code: a type of the assembly referring to another of its types.</summary>
internal readonly record struct TypeDependency(string From, string FromNamespace, string To, string ToNamespace);

/// <summary>
/// Which types of an assembly refer to which others, read from its metadata: base types, interfaces, generic
/// constraints, attributes, field, property, event and method signatures, locals, catch clauses and every
/// token in the method bodies. Nested types (closures, async state machines, lambdas' display classes)
/// count as their outermost declaring type, which is the one written in the source.
/// </summary>
internal static class TypeDependencies
{
    public static IReadOnlyList<TypeDependency> Of(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        MetadataReader reader = pe.GetMetadataReader();
        var found = new HashSet<TypeDependency>();
        foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
        {
            TypeDefinitionHandle owner = Outermost(reader, handle);
            var referenced = new HashSet<TypeDefinitionHandle>();
            Collect(reader, pe, reader.GetTypeDefinition(handle), referenced);
            foreach (TypeDefinitionHandle target in referenced.Select(t => Outermost(reader, t)).Distinct())
            {
                if (target != owner)
                {
                    found.Add(new TypeDependency(FullName(reader, owner), Namespace(reader, owner), FullName(reader, target), Namespace(reader, target)));
                }
            }
        }
        return [.. found];
    }

    private static void Collect(MetadataReader reader, PEReader pe, TypeDefinition type, HashSet<TypeDefinitionHandle> into)
    {
        AddType(reader, type.BaseType, into);
        foreach (InterfaceImplementationHandle i in type.GetInterfaceImplementations())
        {
            AddType(reader, reader.GetInterfaceImplementation(i).Interface, into);
        }
        AddConstraints(reader, type.GetGenericParameters(), into);
        AddAttributes(reader, type.GetCustomAttributes(), into);
        foreach (FieldDefinitionHandle f in type.GetFields())
        {
            FieldDefinition field = reader.GetFieldDefinition(f);
            into.UnionWith(field.DecodeSignature(DefinedTypes.Instance, null));
            AddAttributes(reader, field.GetCustomAttributes(), into);
        }
        foreach (PropertyDefinitionHandle p in type.GetProperties())
        {
            PropertyDefinition property = reader.GetPropertyDefinition(p);
            AddMethodSignature(property.DecodeSignature(DefinedTypes.Instance, null), into);
            AddAttributes(reader, property.GetCustomAttributes(), into);
        }
        foreach (EventDefinitionHandle e in type.GetEvents())
        {
            AddType(reader, reader.GetEventDefinition(e).Type, into);
        }
        foreach (MethodDefinitionHandle m in type.GetMethods())
        {
            MethodDefinition method = reader.GetMethodDefinition(m);
            AddMethodSignature(method.DecodeSignature(DefinedTypes.Instance, null), into);
            AddConstraints(reader, method.GetGenericParameters(), into);
            AddAttributes(reader, method.GetCustomAttributes(), into);
            if (method.RelativeVirtualAddress == 0)
            {
                continue;
            }
            MethodBodyBlock body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
            {
                foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(DefinedTypes.Instance, null))
                {
                    into.UnionWith(local);
                }
            }
            foreach (ExceptionRegion region in body.ExceptionRegions)
            {
                AddType(reader, region.CatchType, into);
            }
            foreach (EntityHandle token in IlTokens.In(body))
            {
                AddToken(reader, token, into);
            }
        }
    }

    private static void AddToken(MetadataReader reader, EntityHandle token, HashSet<TypeDefinitionHandle> into)
    {
        switch (token.Kind)
        {
            case HandleKind.FieldDefinition:
                into.Add(reader.GetFieldDefinition((FieldDefinitionHandle)token).GetDeclaringType());
                break;
            case HandleKind.MethodDefinition:
                into.Add(reader.GetMethodDefinition((MethodDefinitionHandle)token).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                MemberReference member = reader.GetMemberReference((MemberReferenceHandle)token);
                AddToken(reader, member.Parent, into);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    AddMethodSignature(member.DecodeMethodSignature(DefinedTypes.Instance, null), into);
                }
                else
                {
                    into.UnionWith(member.DecodeFieldSignature(DefinedTypes.Instance, null));
                }
                break;
            case HandleKind.MethodSpecification:
                MethodSpecification specification = reader.GetMethodSpecification((MethodSpecificationHandle)token);
                AddToken(reader, specification.Method, into);
                foreach (var argument in specification.DecodeSignature(DefinedTypes.Instance, null))
                {
                    into.UnionWith(argument);
                }
                break;
            case HandleKind.StandaloneSignature:
                StandaloneSignature signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)token);
                if (signature.GetKind() == StandaloneSignatureKind.Method)
                {
                    AddMethodSignature(signature.DecodeMethodSignature(DefinedTypes.Instance, null), into);
                }
                break;
            default:
                AddType(reader, token, into);
                break;
        }
    }

    private static void AddType(MetadataReader reader, EntityHandle handle, HashSet<TypeDefinitionHandle> into)
    {
        if (handle.IsNil)
        {
            return;
        }
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                into.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                into.UnionWith(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(DefinedTypes.Instance, null));
                break;
        }
    }

    private static void AddMethodSignature(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature, HashSet<TypeDefinitionHandle> into)
    {
        into.UnionWith(signature.ReturnType);
        foreach (var parameter in signature.ParameterTypes)
        {
            into.UnionWith(parameter);
        }
    }

    private static void AddConstraints(MetadataReader reader, GenericParameterHandleCollection parameters, HashSet<TypeDefinitionHandle> into)
    {
        foreach (GenericParameterHandle p in parameters)
        {
            foreach (GenericParameterConstraintHandle c in reader.GetGenericParameter(p).GetConstraints())
            {
                AddType(reader, reader.GetGenericParameterConstraint(c).Type, into);
            }
        }
    }

    private static void AddAttributes(MetadataReader reader, CustomAttributeHandleCollection attributes, HashSet<TypeDefinitionHandle> into)
    {
        foreach (CustomAttributeHandle a in attributes)
        {
            AddToken(reader, reader.GetCustomAttribute(a).Constructor, into);
        }
    }

    private static TypeDefinitionHandle Outermost(MetadataReader reader, TypeDefinitionHandle handle)
    {
        TypeDefinitionHandle declaring = reader.GetTypeDefinition(handle).GetDeclaringType();
        return declaring.IsNil ? handle : Outermost(reader, declaring);
    }

    private static string Namespace(MetadataReader reader, TypeDefinitionHandle handle) =>
        reader.GetString(reader.GetTypeDefinition(handle).Namespace);

    private static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        string ns = Namespace(reader, handle);
        string name = reader.GetString(reader.GetTypeDefinition(handle).Name);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}

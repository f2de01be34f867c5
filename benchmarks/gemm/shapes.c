// Single-threaded GEMM rates on the ResNet engine's shapes: OpenBLAS's cblas_sgemm (with whatever
// kernel OPENBLAS_CORETYPE selects) against Pleura's kernel (Sources/CGemm), alternately, with the
// largest difference between their results. Run by benchmarks/gemm/run.sh. Each row: M x N x K,
// repeated over P different matrices (as the 64 Winograd points are).
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>
#include "gemm.h"  // Sources/CGemm/include
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
// C = op(A) B over P different matrices, OpenBLAS then Pleura, each overwriting C.
static void run(int transA,int M,int N,int K,int P){
  float*A=malloc(sizeof(float)*P*M*K),*B=malloc(sizeof(float)*P*K*N),*C=malloc(sizeof(float)*P*M*N),*C2=malloc(sizeof(float)*P*M*N);
  for(long i=0;i<(long)P*M*K;i++)A[i]=rand()/(float)RAND_MAX-0.5f;
  for(long i=0;i<(long)P*K*N;i++)B[i]=rand()/(float)RAND_MAX-0.5f;
  int lda=transA?M:K;
  double fl=2.0*M*N*K*P; int reps=400000000/fl+1; double t[2];
  for(int mode=0;mode<2;mode++){
    double t0=now();
    for(int r=0;r<reps;r++) for(int p=0;p<P;p++){
      const float*a=A+(long)p*M*K,*b=B+(long)p*K*N;
      if(mode==0) cblas_sgemm(CblasRowMajor,transA?CblasTrans:CblasNoTrans,CblasNoTrans,M,N,K,1,a,lda,b,N,0,C+(long)p*M*N,N);
      else if(transA) pleura_sgemm_tn(M,N,K,a,lda,b,N,0,C2+(long)p*M*N,N);
      else pleura_sgemm(M,N,K,a,lda,b,N,0,C2+(long)p*M*N,N);
    }
    t[mode]=now()-t0;
  }
  double err=0; for(long i=0;i<(long)P*M*N;i++){double e=fabs(C[i]-C2[i]); if(e>err)err=e;}
  printf("%s M%5d N%4d K%5d  openblas %6.1f  pleura %6.1f GFLOP/s  x%.2f  maxdiff %.2g\n",transA?"A^T B":"A B  ",M,N,K,fl*reps/t[0]/1e9,fl*reps/t[1]/1e9,t[0]/t[1],err);
  free(A);free(B);free(C);free(C2);
}
int main(){
  openblas_set_num_threads(1);
  printf("available %d\n", pleura_sgemm_available());
  // M, N, K, P: Winograd points (stages 1-3), conv1 chunks, pointwise and bottleneck layers, a
  // stage-3 tap class, a stage-4 one, and odd sizes for the edges.
  int shapes[][4]={{32,64,64,64},{16,64,64,64},{32,128,128,64},{32,256,256,16},{256,64,343,4},{512,64,343,4},{256,256,64,4},{256,64,256,4},{256,512,128,4},{128,256,1728,4},{64,512,3456,2},{37,40,27,8},{5,3,7,8}};
  for(int s=0;s<13;s++) run(0,shapes[s][0],shapes[s][1],shapes[s][2],shapes[s][3]);
  // Kernel gradients col^T dy: M = Kv (27 Ci, or 343 for conv1), N = Co, K = rows of a chunk.
  int grads[][3]={{1728,64,151},{3456,128,75},{6912,256,64},{13824,512,64},{343,64,764},{64,256,512},{27,5,9},{9,33,300}};
  for(int s=0;s<8;s++) run(1,grads[s][0],grads[s][1],grads[s][2],1);
}
